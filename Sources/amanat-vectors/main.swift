// SPDX-License-Identifier: AGPL-3.0-or-later

// Writes Protocol/vectors/*.json from the current code: `swift run amanat-vectors [--fresh] [DIR]`.
// Recorded X-Wing and HPKE randomness is reused from the files already there unless --fresh.
// `swift run amanat-vectors --fuzz-seeds [DIR]` writes the fuzzers' seed corpora (Fuzz/Corpus).

import AmanatProtocolVectors
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
let fresh = arguments.contains("--fresh")
let fuzzSeeds = arguments.contains("--fuzz-seeds")
arguments.removeAll { $0 == "--fresh" || $0 == "--fuzz-seeds" }
if arguments.contains(where: { $0.hasPrefix("-") }) || arguments.count > 1 {
    FileHandle.standardError.write(Data("usage: amanat-vectors [--fresh | --fuzz-seeds] [DIRECTORY]\n".utf8))
    exit(64)
}
let directory = URL(
    fileURLWithPath: arguments.first ?? (fuzzSeeds ? "Fuzz/Corpus" : "Protocol/vectors"), isDirectory: true)
do {
    if fuzzSeeds {
        for (target, seeds) in try FuzzSeeds.generate() {
            let folder = directory.appendingPathComponent(target, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (index, seed) in seeds.enumerated() {
                try Data(seed).write(to: folder.appendingPathComponent("seed-\(index)"))
            }
            print("wrote \(seeds.count) seeds to \(folder.path)")
        }
        exit(0)
    }
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
