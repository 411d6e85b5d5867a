// SPDX-License-Identifier: AGPL-3.0-or-later

// Writes Protocol/vectors/*.json from the current code: `swift run amanat-vectors [--fresh] [DIR]`.
// Recorded X-Wing and HPKE randomness is reused from the files already there unless --fresh.

import AmanatProtocolVectors
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
let fresh = arguments.contains("--fresh")
arguments.removeAll { $0 == "--fresh" }
if arguments.contains(where: { $0.hasPrefix("-") }) || arguments.count > 1 {
    FileHandle.standardError.write(Data("usage: amanat-vectors [--fresh] [DIRECTORY]\n".utf8))
    exit(64)
}
let directory = URL(fileURLWithPath: arguments.first ?? "Protocol/vectors", isDirectory: true)
do {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let files = try VectorFiles.generate(reusingFrom: directory, fresh: fresh)
    for (name, data) in files.sorted(by: { $0.key < $1.key }) {
        try data.write(to: directory.appendingPathComponent(name), options: .atomic)
        print("wrote \(directory.path)/\(name)")
    }
} catch {
    FileHandle.standardError.write(Data("amanat-vectors: \(error)\n".utf8))
    exit(1)
}
