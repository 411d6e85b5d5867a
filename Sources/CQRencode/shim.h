// SPDX-License-Identifier: AGPL-3.0-or-later
// libqrencode (Debian: libqrencode-dev), for QR codes drawn in the terminal.
#include <qrencode.h>
