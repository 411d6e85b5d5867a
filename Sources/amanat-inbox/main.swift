// SPDX-License-Identifier: AGPL-3.0-or-later

// `amanat-inbox`: the experts' inbox and the organisation's administration. Everything is in
// AmanatInbox.

import AmanatInbox
import Foundation

exit(await InboxCommand.run())
