// SPDX-License-Identifier: AGPL-3.0-or-later
// libcurl, as seen from Swift. curl_easy_setopt and curl_easy_getinfo are variadic, which Swift
// cannot call; these typed wrappers give one entry point per argument type. Only the client's
// transport imports this module.
#ifndef AMANAT_CCURL_SHIM_H
#define AMANAT_CCURL_SHIM_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/// A write or header callback, as CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION take it.
typedef size_t (*amanat_curl_write_callback)(char *data, size_t size, size_t count, void *context);
/// A read callback, as CURLOPT_READFUNCTION takes it.
typedef size_t (*amanat_curl_read_callback)(char *buffer, size_t size, size_t count, void *context);
/// A progress callback, as CURLOPT_XFERINFOFUNCTION takes it.
typedef int (*amanat_curl_xferinfo_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow,
                                             curl_off_t ultotal, curl_off_t ulnow);

/// The version and features of the libcurl actually linked (CURLVERSION_NOW is a macro).
static inline curl_version_info_data *amanat_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

static inline CURLcode amanat_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode amanat_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode amanat_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode amanat_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode amanat_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode amanat_curl_setopt_write_callback(CURL *handle, CURLoption option,
                                                         amanat_curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode amanat_curl_setopt_read_callback(CURL *handle, CURLoption option,
                                                        amanat_curl_read_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode amanat_curl_setopt_xferinfo_callback(CURL *handle, amanat_curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode amanat_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode amanat_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode amanat_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
