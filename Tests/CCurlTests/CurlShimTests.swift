// SPDX-License-Identifier: AGPL-3.0-or-later

import CCurl
import Testing

/// The C shim is the only way Swift can reach curl's variadic functions: these tests check that
/// each typed wrapper reaches libcurl and that the features the transport relies on exist. No
/// request leaves the process.
@Suite("CCurl shim")
struct CurlShimTests {
    @Test("the linked libcurl has TLS, a SOCKS proxy and public-key pinning")
    func features() throws {
        let info = try #require(amanat_curl_version_info())
        let version = info.pointee.version_num
        // CURLOPT_PROTOCOLS_STR needs 7.85.0.
        #expect(version >= 0x07_55_00)
        #expect(info.pointee.features & Int32(CURL_VERSION_SSL) != 0)
        let protocols = sequence(state: info.pointee.protocols) { cursor -> String? in
            guard let name = cursor?.pointee else { return nil }
            cursor = cursor?.advanced(by: 1)
            return String(cString: name)
        }
        #expect(Set(protocols).isSuperset(of: ["http", "https"]))
    }

    @Test("typed setopt and getinfo wrappers reach libcurl")
    func setoptAndGetinfo() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(amanat_curl_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:9/v1/info") == CURLE_OK)
        #expect(amanat_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK)
        #expect(amanat_curl_setopt_string(handle, CURLOPT_PROXY, "socks5h://127.0.0.1:9050") == CURLE_OK)
        #expect(amanat_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 30) == CURLE_OK)
        let pin = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        #expect(amanat_curl_setopt_string(handle, CURLOPT_PINNEDPUBLICKEY, pin) == CURLE_OK)
        #expect(amanat_curl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, 1 << 20) == CURLE_OK)
        #expect(amanat_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, nil) == CURLE_OK)
        let sink: amanat_curl_write_callback = { _, size, count, _ in size * count }
        #expect(amanat_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, sink) == CURLE_OK)
        // A scheme outside the allowed list is refused by curl itself.
        #expect(amanat_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "gopher-nonsense") != CURLE_OK)

        var effective: UnsafeMutablePointer<CChar>?
        #expect(amanat_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK)
        #expect(effective.map { String(cString: $0) } == "http://127.0.0.1:9/v1/info")
        var status = -1
        #expect(amanat_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        #expect(status == 0)
    }
}
