// SPDX-License-Identifier: AGPL-3.0-or-later
// GNU readline (Debian: libreadline-dev; GPL-3.0-or-later, compatible with our AGPL-3.0-or-later),
// for line editing in `amanat shell` and `amanat-inbox shell`. Its history stays in memory: we
// never call write_history or read_history.
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>
