// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatClient
import AmanatTerminal
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

extension InboxCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open the inbox in a browser: a local web UI on 127.0.0.1 only, until Ctrl-C.",
            discussion: """
                Prints a login link with a random one-time token: open it in a browser on this machine. The \
                link works once; a new `serve` makes a new one. Nothing listens beyond 127.0.0.1.
                """)

        @OptionGroup var options: ProfileOptions

        @Option(help: "Port on 127.0.0.1 (default 8788; 0 picks a free one).")
        var port: Int = 8788

        @Option(help: "Sync with the relay this often, in seconds, while serving (0: only when asked).")
        var syncEvery: Int = 60

        func run() async throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0-65535.") }
            guard (0...86_400).contains(syncEvery) else { throw ValidationError("--sync-every must be 0-86400.") }
            let account = try options.open()
            let chosen = port == 0 ? try Self.freePort() : port
            let web = try InboxWeb(
                account: account, port: chosen, language: options.language,
                refreshEvery: syncEvery > 0 ? syncEvery : nil)
            var logger = Logger(label: "amanat-inbox.serve")
            logger.logLevel = .error
            let services: [any Service] = syncEvery > 0 ? [PeriodicSync(account: account, every: syncEvery)] : []
            let announcement = InboxCatalogue.text("serve.open", options.language, [web.loginURL])
            let application = Application(
                router: web.router(),
                configuration: .init(address: .hostname("127.0.0.1", port: chosen), serverName: nil),
                services: services,
                // The link only once the port is really ours.
                onServerRunning: { _ in
                    print(announcement)
                    fflush(nil)
                },
                logger: logger)
            do {
                try await application.runService()
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw CommandError("error.port-in-use", [String(chosen)], code: CommandError.usage)
            }
        }

        /// A free loopback port, from the kernel.
        static func freePort() throws -> Int {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard bound else { throw CommandError("error.port", [], code: CommandError.software) }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}

/// Syncs in the background while the web UI runs, so new case updates and other experts'
/// triage appear without a click; failures (offline) wait for the next round.
struct PeriodicSync: Service {
    let account: Account
    let every: Int

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = try? await account.sync()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(every)) }
        }
    }
}
