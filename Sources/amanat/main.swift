// SPDX-License-Identifier: AGPL-3.0-or-later

// `amanat`: the defender's terminal client. Everything is in AmanatDefender.

import AmanatDefender
import Foundation

exit(await AmanatCommand.run())
