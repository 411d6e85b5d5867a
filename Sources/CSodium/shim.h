// SPDX-License-Identifier: AGPL-3.0-or-later
// libsodium, as seen from Swift. Only AmanatCrypto imports this module.
#ifndef AMANAT_CSODIUM_SHIM_H
#define AMANAT_CSODIUM_SHIM_H

#include <sodium.h>

#endif
