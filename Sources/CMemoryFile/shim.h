// SPDX-License-Identifier: AGPL-3.0-or-later
// memfd_create(2): an anonymous file in memory, so that uploaded attachments are encrypted into
// the profile without their plaintext ever touching a disk. Glibc declares it only with
// _GNU_SOURCE, which Swift's Glibc module does not set.
#ifndef AMANAT_MEMORY_FILE_H
#define AMANAT_MEMORY_FILE_H
#define _GNU_SOURCE
#include <sys/mman.h>

static inline int amanat_memory_file(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}
#endif
