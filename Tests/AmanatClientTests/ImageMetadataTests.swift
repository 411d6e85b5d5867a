// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import Foundation
import Testing

@testable import AmanatClient

/// A JPEG segment: marker, length, payload.
func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
    let length = payload.count + 2
    return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
}

/// A PNG chunk with a dummy CRC (the cleaner does not check CRCs; decoders do, and they are kept).
func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let length = UInt32(data.count)
    return withUnsafeBytes(of: length.bigEndian) { Array($0) } + Array(type.utf8) + data + [1, 2, 3, 4]
}

@Suite("Image metadata")
struct ImageMetadataTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-image-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Cleans `bytes` through the attachment cipher (as sending does) and returns what arrives.
    func cleaned(_ bytes: [UInt8]) throws -> [UInt8] {
        let input = folder.appendingPathComponent("image")
        try Data(bytes).write(to: input)
        let ranges = try #require(try ImageMetadata.keptRanges(of: input))
        let sealed = folder.appendingPathComponent("sealed")
        let output = folder.appendingPathComponent("output")
        let encrypted = try AttachmentCipher.encrypt(input, to: sealed, keeping: ranges)
        try AttachmentCipher.decrypt(sealed, to: output, key: encrypted.key, size: encrypted.size)
        return Array(try Data(contentsOf: output))
    }

    @Test("JPEG: EXIF with GPS, XMP, IPTC, comments, non-ICC APP2 and trailing data go; the picture stays")
    func jpeg() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let soi: [UInt8] = [0xFF, 0xD8]
        let jfif = segment(0xE0, Array("JFIF\0".utf8) + [1, 2, 0, 0, 1, 0, 1, 0, 0])
        let exif = segment(0xE1, Array("Exif\0\0GPS-LATITUDE-MARKER 41.3N 69.2E".utf8))
        let xmp = segment(0xE1, Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>XMP-MARKER</x:xmpmeta>".utf8))
        let flashpix = segment(0xE2, Array("FPXR\0FLASHPIX-MARKER".utf8))
        let icc = segment(0xE2, Array("ICC_PROFILE\0".utf8) + [1, 1] + [UInt8](repeating: 0x42, count: 40))
        let iptc = segment(0xED, Array("Photoshop 3.0\0IPTC-MARKER".utf8))
        let comment = segment(0xFE, Array("COMMENT-MARKER".utf8))
        let adobe = segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, 1])
        let tables =
            segment(0xDB, [0] + [UInt8](repeating: 1, count: 64)) + segment(0xC0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0])
            + segment(0xC4, [0] + [UInt8](repeating: 0, count: 16))
        let scan = segment(0xDA, [1, 1, 0, 0, 63, 0])
        // Entropy-coded data with a stuffed 0xFF00, a restart marker and fill bytes.
        let data: [UInt8] = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0x78]
        let secondScan = segment(0xC4, [0x10] + [UInt8](repeating: 0, count: 16)) + segment(0xDA, [1, 1, 0, 1, 63, 0])
        let data2: [UInt8] = [0x9A, 0xBC, 0xFF, 0x00]
        let eoi: [UInt8] = [0xFF, 0xFF, 0xD9]  // a fill byte before EOI
        let trailing = Array("TRAILING-MARKER after EOI".utf8)
        let original =
            soi + jfif + exif + xmp + flashpix + icc + iptc + comment + adobe + tables + scan + data + secondScan
            + data2
            + eoi + trailing
        let expected = soi + jfif + icc + adobe + tables + scan + data + secondScan + data2 + eoi
        let result = try cleaned(original)
        #expect(result == expected)
        for marker in ["GPS-LATITUDE", "XMP-MARKER", "FLASHPIX", "IPTC-MARKER", "COMMENT-MARKER", "TRAILING"] {
            #expect(Data(result).range(of: Data(marker.utf8)) == nil, "\(marker)")
        }
    }

    @Test("PNG: text, EXIF and time chunks and trailing data go; image and colour chunks stay")
    func png() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header = chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])
        let text = chunk("tEXt", Array("Comment\0PNG-TEXT-MARKER".utf8))
        let international = chunk("iTXt", Array("GPS\0\0\0\0\0ITXT-MARKER".utf8))
        let exif = chunk("eXIf", Array("MM\0*EXIF-GPS-MARKER".utf8))
        let time = chunk("tIME", [7, 234, 11, 25, 12, 0, 0])
        let physical = chunk("pHYs", [0, 0, 11, 19, 0, 0, 11, 19, 1])
        let gamma = chunk("gAMA", [0, 0, 177, 143])
        let image = chunk("IDAT", [0x78, 0x9C, 0x63, 0xF8, 0x0F, 0x00, 0x01, 0x01, 0x01, 0x00])
        let end = chunk("IEND", [])
        let original =
            signature + header + text + gamma + international + exif + time + physical + image + end
            + Array("TRAILING".utf8)
        #expect(try cleaned(original) == signature + header + gamma + physical + image + end)
    }

    @Test("other files are left alone; damaged images are refused, not sent half-cleaned")
    func refusals() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.txt")
        try Data("EXIF is just a word here".utf8).write(to: text)
        #expect(try ImageMetadata.keptRanges(of: text) == nil)
        let broken = folder.appendingPathComponent("broken.jpg")
        try Data([0xFF, 0xD8] + segment(0xE0, Array("JFIF\0".utf8)) + [0xFF, 0xE1, 0x40, 0x00, 1, 2, 3]).write(
            to: broken)
        #expect(throws: AttachmentError.damagedImage) { try ImageMetadata.keptRanges(of: broken) }
        let cut = folder.appendingPathComponent("cut.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", [0, 0])).write(to: cut)
        #expect(throws: AttachmentError.damagedImage) { try ImageMetadata.keptRanges(of: cut) }
    }
}
