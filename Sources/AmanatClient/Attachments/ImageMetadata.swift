// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Finds what to keep of a JPEG or PNG file so that its metadata is gone and its picture is not
/// touched (issue #6): the answer is a list of byte ranges of the original file, which the
/// attachment cipher reads in order, so nothing cleaned is ever written to disk in the clear and
/// memory stays constant for any size.
///
/// JPEG: kept are SOI, APP0 (JFIF), APP2 only when it is an ICC colour profile, APP14 (Adobe
/// colour transform), every non-APP segment (tables, frame and scan headers), the entropy-coded
/// data, and EOI. Dropped are APP1 (EXIF with GPS and camera data, XMP), every other APPn
/// (IPTC/Photoshop in APP13, maker data), COM comments, and anything after EOI.
///
/// PNG: kept are the signature, the critical chunks (IHDR, PLTE, IDAT, IEND) and the ancillary
/// chunks that change how the picture looks (tRNS, gAMA, cHRM, sRGB, iCCP, sBIT, bKGD, pHYs) or
/// animate it (acTL, fcTL, fdAT). Dropped are text (tEXt, zTXt, iTXt), EXIF (eXIf), tIME and
/// every other chunk, and anything after IEND.
public enum ImageMetadata {
    /// The image formats cleaned.
    public enum Format: Sendable, Equatable {
        case jpeg, png
    }

    /// The format the file's first bytes announce, or nil for anything else.
    public static func format(of url: URL) -> Format? {
        guard let handle = RegularFile.openForReading(url) else { return nil }
        defer { try? handle.close() }
        let head = Array((try? handle.read(upToCount: 8)) ?? Data())
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        return nil
    }

    /// The byte ranges to keep, in order; nil when the file is not a JPEG or PNG.
    ///
    /// - Throws: ``AttachmentError/unreadable`` for a file that cannot be read,
    ///   ``AttachmentError/damagedImage`` for one whose structure does not parse (send it with
    ///   "keep original" if it must go as it is).
    public static func keptRanges(of url: URL) throws(AttachmentError) -> [Range<UInt64>]? {
        guard let format = format(of: url) else { return nil }
        guard let scanner = FileScanner(url) else { throw .unreadable }
        var ranges = RangeList()
        switch format {
        case .jpeg: try jpeg(scanner, into: &ranges)
        case .png: try png(scanner, into: &ranges)
        }
        return ranges.ranges
    }

    // MARK: - JPEG

    private static func jpeg(_ file: FileScanner, into ranges: inout RangeList) throws(AttachmentError) {
        ranges.keep(0..<2)
        file.position = 2
        while true {
            let start = file.position
            guard try file.byte() == 0xFF else { throw .damagedImage }
            var marker = try file.byte()
            while marker == 0xFF { marker = try file.byte() }  // fill bytes
            switch marker {
            case 0xD9:  // EOI: the end; whatever follows is dropped.
                ranges.keep(start..<file.position)
                return
            case 0x01, 0xD0...0xD7:  // standalone markers
                ranges.keep(start..<file.position)
                continue
            default:
                break
            }
            let length = UInt64(try file.byte()) << 8 | UInt64(try file.byte())
            guard length >= 2 else { throw .damagedImage }
            let end = file.position + length - 2
            guard end <= file.size else { throw .damagedImage }
            if try keepsJPEGSegment(marker, file, length: length) {
                ranges.keep(start..<end)
            }
            file.position = end
            if marker == 0xDA {
                // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00
                // nor a restart marker.
                let dataStart = file.position
                while true {
                    guard try file.byte() == 0xFF else { continue }
                    let next = try file.byte()
                    if next == 0x00 || (0xD0...0xD7).contains(next) { continue }
                    if next == 0xFF {
                        file.position -= 1
                        continue
                    }
                    file.position -= 2
                    break
                }
                ranges.keep(dataStart..<file.position)
            }
        }
    }

    private static func keepsJPEGSegment(_ marker: UInt8, _ file: FileScanner, length: UInt64) throws(AttachmentError)
        -> Bool
    {
        switch marker {
        case 0xE0, 0xEE: return true  // JFIF, Adobe
        case 0xE2:
            // Only an ICC profile; APP2 also carries FlashPix and multi-picture data.
            let signature = Array("ICC_PROFILE\0".utf8)
            guard length - 2 >= UInt64(signature.count) else { return false }
            let here = file.position
            defer { file.position = here }
            for expected in signature where try file.byte() != expected { return false }
            return true
        case 0xE1, 0xE3...0xED, 0xEF, 0xFE: return false
        default: return true
        }
    }

    // MARK: - PNG

    private static let keptChunks: Set<String> = [
        "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "acTL", "fcTL",
        "fdAT",
    ]

    private static func png(_ file: FileScanner, into ranges: inout RangeList) throws(AttachmentError) {
        ranges.keep(0..<8)
        file.position = 8
        while true {
            let start = file.position
            var length: UInt64 = 0
            for _ in 0..<4 { length = length << 8 | UInt64(try file.byte()) }
            var type = ""
            for _ in 0..<4 { type.append(Character(UnicodeScalar(try file.byte()))) }
            let end = file.position + length + 4
            guard length <= 0x7FFF_FFFF, end <= file.size else { throw .damagedImage }
            if keptChunks.contains(type) { ranges.keep(start..<end) }
            file.position = end
            if type == "IEND" { return }
        }
    }
}

/// Adjacent ranges merged as they are added.
struct RangeList {
    private(set) var ranges: [Range<UInt64>] = []

    mutating func keep(_ range: Range<UInt64>) {
        guard !range.isEmpty else { return }
        if let last = ranges.last, last.upperBound == range.lowerBound {
            ranges[ranges.count - 1] = last.lowerBound..<range.upperBound
        } else {
            ranges.append(range)
        }
    }
}

/// Byte-at-a-time reading of a file through a 64 KiB buffer, with a movable position.
final class FileScanner {
    private let handle: FileHandle
    let size: UInt64
    private var buffer: [UInt8] = []
    private var bufferStart: UInt64 = 0
    var position: UInt64 = 0

    init?(_ url: URL) {
        guard let handle = RegularFile.openForReading(url), let size = openedSize(handle) else { return nil }
        self.handle = handle
        self.size = size
    }

    deinit {
        try? handle.close()
    }

    /// The byte at the position, which then moves on; a damaged image past the end.
    func byte() throws(AttachmentError) -> UInt8 {
        guard position < size else { throw .damagedImage }
        if position < bufferStart || position >= bufferStart + UInt64(buffer.count) {
            guard (try? handle.seek(toOffset: position)) != nil,
                let data = try? handle.read(upToCount: 1 << 16), !data.isEmpty
            else { throw .unreadable }
            buffer = Array(data)
            bufferStart = position
        }
        let value = buffer[Int(position - bufferStart)]
        position += 1
        return value
    }
}
