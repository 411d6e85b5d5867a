// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatProtocol
import Foundation
import Testing
import Yams

/// `Protocol/openapi.yaml` against ``RelayAPI``, the types the relay answers with and the client
/// reads: every JSON body the document names is one of the types, each type's fields are the
/// schema's properties with the same JSON kinds, its non-optional fields the schema's `required`,
/// and the error codes are the same set (issue #19: one definition of the wire).
@Suite struct RelayAPIContractTests {
    /// A type, where openapi.yaml describes it, and two values: one with every optional field set
    /// (and every array non-empty), one with none set.
    struct Contract: CustomTestStringConvertible, Sendable {
        let name: String
        let location: String
        let full: any Encodable & Sendable
        let minimal: any Encodable & Sendable

        init(_ location: String, _ full: any Encodable & Sendable, minimal: (any Encodable & Sendable)? = nil) {
            self.name = String(describing: type(of: full))
            self.location = location
            self.full = full
            self.minimal = minimal ?? full
        }

        var testDescription: String { name }
    }

    static let id = String(repeating: "A", count: 43)
    static let counts = RelayAPI.PrekeyCounts(oneTimePrekeys: 1, oneTimePostQuantumPrekeys: 2, low: false)
    static let entry = RelayAPI.UploadedEntry(id: 7, entry: "AAAA")

    /// Where the JSON request body of `method path` is described.
    static func body(_ method: String, _ path: String) -> String {
        "paths/\(path.replacingOccurrences(of: "/", with: "~1"))/\(method)/requestBody/content/application~1json/schema"
    }

    /// Where the JSON answer with `status` to `method path` is described.
    static func answer(_ method: String, _ path: String, _ status: String) -> String {
        "paths/\(path.replacingOccurrences(of: "/", with: "~1"))/\(method)/responses/\(status)/content/application~1json/"
            + "schema"
    }

    static let contracts: [Contract] = [
        Contract(
            "components/schemas/Error", RelayAPI.ErrorResponse(error: .mailboxFrozen, order: "AAAA"),
            minimal: RelayAPI.ErrorResponse(error: .mailboxFull)),
        Contract(
            "components/schemas/Info",
            RelayAPI.Info(
                relayKey: id,
                limits: .init(
                    envelopeSizes: [2048], mailboxEnvelopes: 1, mailboxBytes: 1, fetchLimit: 1, retentionSeconds: 1,
                    prekeysPerPool: 1, prekeyEntryBytes: 1, blobBytes: 1, blobChunkBytes: 1, blobDownloads: 1,
                    blobRetentionSeconds: 1))),
        Contract(
            "components/schemas/CreateMailbox",
            RelayAPI.CreateMailboxRequest(mailbox: id, ownerKey: id, depositKey: id, voucher: "AAAA")),
        Contract(answer("post", "/v1/mailboxes", "201"), RelayAPI.CreateMailboxResponse(mailbox: id)),
        Contract(
            "components/schemas/Receipt",
            RelayAPI.Receipt(mailbox: id, digest: id, time: 1, signature: "AA", proof: "AA"),
            minimal: RelayAPI.Receipt(mailbox: id, digest: id, time: 1, signature: "AA")),
        Contract(body("post", "/v1/mailboxes/{mailbox}/fetch"), RelayAPI.FetchRequest(after: 0, limit: 1)),
        Contract(
            "components/schemas/FetchResponse",
            RelayAPI.FetchResponse(
                envelopes: [.init(sequence: 1, digest: id, envelope: "AAAA")], expiredUnread: 0, prekeys: counts)),
        Contract("components/schemas/PrekeyCounts", counts),
        Contract(
            body("post", "/v1/mailboxes/{mailbox}/ack"),
            RelayAPI.AcknowledgeRequest(digests: [id], expiredUnreadSeen: 0)
        ),
        Contract(answer("post", "/v1/mailboxes/{mailbox}/ack", "200"), RelayAPI.AcknowledgeResponse(deleted: 1)),
        Contract(
            body("post", "/v1/mailboxes/{mailbox}/deposit-key"), RelayAPI.RotateDepositKeyRequest(depositKey: id)),
        Contract(
            answer("post", "/v1/mailboxes/{mailbox}/deposit-key", "200"),
            RelayAPI.RotateDepositKeyResponse(rotated: true)
        ),
        Contract(body("put", "/v1/mailboxes/{mailbox}/seizure"), RelayAPI.SeizureRequest(order: "AAAA")),
        Contract(answer("put", "/v1/mailboxes/{mailbox}/seizure", "200"), RelayAPI.SeizureResponse(frozen: true)),
        Contract(body("post", "/v1/mailboxes/{mailbox}/wait"), RelayAPI.WaitRequest(after: 0, timeout: 1)),
        Contract(answer("post", "/v1/mailboxes/{mailbox}/wait", "200"), RelayAPI.WaitResponse(new: true)),
        Contract("components/schemas/UploadedEntry", entry),
        Contract(
            body("put", "/v1/mailboxes/{mailbox}/prekeys"),
            RelayAPI.PrekeyUploadRequest(head: "AAAA", oneTimePrekeys: [entry], oneTimePostQuantumPrekeys: [entry]),
            minimal: RelayAPI.PrekeyUploadRequest(head: nil, oneTimePrekeys: nil, oneTimePostQuantumPrekeys: nil)),
        Contract("components/schemas/FreshRequest", RelayAPI.FreshRequest(time: 1, nonce: "AAAA")),
        Contract(
            "components/schemas/Claim",
            RelayAPI.PrekeyClaim(head: "AAAA", oneTimePrekey: "AAAA", oneTimePostQuantumPrekey: "AAAA"),
            minimal: RelayAPI.PrekeyClaim(head: "AAAA", oneTimePrekey: nil, oneTimePostQuantumPrekey: nil)),
        Contract(
            body("post", "/v1/mailboxes/{mailbox}/blobs"),
            RelayAPI.CreateBlobRequest(size: 1, confirmations: [id], time: 1, nonce: "AAAA")),
        Contract(
            "components/schemas/CreatedBlob",
            RelayAPI.CreatedBlob(blob: id, uploadKey: id, chunkSize: 1, chunks: 1, expiresAt: 0)),
        Contract(
            "components/schemas/BlobStatus",
            RelayAPI.BlobStatus(
                size: 1, chunkSize: 1, chunks: 1, present: [0], complete: true, downloadsLeft: 1, expiresAt: 0)),
        Contract(answer("post", "/v1/blobs/{blob}/downloaded", "200"), RelayAPI.DownloadConfirmed(downloadsLeft: 1)),
        Contract(answer("put", "/v1/roster", "201"), RelayAPI.RosterPublished(version: 1)),
    ]

    @Test("the type has the schema's properties and required fields", arguments: contracts)
    func agrees(_ contract: Contract) throws {
        let document = try OpenAPIDocument.load()
        guard let schema = document.node(at: contract.location) else {
            Issue.record("no schema at \(contract.location)")
            return
        }
        var issues: [String] = []
        document.compare(try JSONValue(encoding: contract.full), with: schema, at: contract.name, all: true, &issues)
        document.compare(
            try JSONValue(encoding: contract.minimal), with: schema, at: contract.name, all: false, &issues)
        #expect(issues.isEmpty, "\(issues)")
    }

    @Test func everyJSONBodyOfTheDocumentIsAType() throws {
        let document = try OpenAPIDocument.load()
        let covered = Set(Self.contracts.map { document.resolvedName(of: $0.location) })
        var uncovered: [String] = []
        for location in document.jsonBodyLocations() where !covered.contains(document.resolvedName(of: location)) {
            uncovered.append(location)
        }
        #expect(uncovered.isEmpty, "JSON bodies without a RelayAPI type: \(uncovered)")
    }

    @Test func errorCodesAreTheDocumentsEnum() throws {
        let document = try OpenAPIDocument.load()
        let listed = try #require(document.node(at: "components/schemas/Error/properties/error/enum") as? [Any])
        let documented = Set(listed.compactMap { $0 as? String })
        #expect(documented.count == listed.count)
        #expect(documented == Set(RelayErrorCode.all.map(\.rawValue)))
        #expect(RelayErrorCode.all.count == documented.count, "a code is listed twice in RelayErrorCode.all")
    }
}

/// A decoded JSON value, to compare an encoding with a schema.
enum JSONValue: Decodable {
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The JSON Schema type name of this value.
    var kind: String {
        switch self {
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// `Protocol/openapi.yaml`, parsed (Yams), with `$ref`s resolved on the way.
struct OpenAPIDocument {
    let root: [String: Any]

    static func load() throws -> OpenAPIDocument {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocol/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return OpenAPIDocument(root: root)
    }

    /// The node at a slash-separated path (`~1` stands for `/` inside a segment, as in a JSON
    /// pointer), following `$ref`s.
    func node(at location: String) -> Any? {
        var node: Any? = root
        for segment in location.split(separator: "/").map({ $0.replacingOccurrences(of: "~1", with: "/") }) {
            node = (resolved(node) as? [String: Any])?[segment]
        }
        return resolved(node)
    }

    /// A node with its `$ref` (if any) followed.
    func resolved(_ node: Any?) -> Any? {
        guard let object = node as? [String: Any], let reference = object["$ref"] as? String,
            reference.hasPrefix("#/")
        else { return node }
        return self.node(at: String(reference.dropFirst(2)))
    }

    /// What a location stands for: the `$ref` it leads to, or the location itself.
    func resolvedName(of location: String) -> String {
        var node: Any? = root
        var name = location
        for segment in location.split(separator: "/").map({ $0.replacingOccurrences(of: "~1", with: "/") }) {
            node = (resolved(node) as? [String: Any])?[segment]
        }
        while let object = node as? [String: Any], let reference = object["$ref"] as? String {
            name = String(reference.dropFirst(2))
            node = self.node(at: name)
        }
        return name
    }

    /// Every JSON request and response body of every route, as locations.
    func jsonBodyLocations() -> [String] {
        var locations: [String] = []
        let paths = root["paths"] as? [String: Any] ?? [:]
        for (path, item) in paths {
            let escaped = path.replacingOccurrences(of: "/", with: "~1")
            for (method, operation) in item as? [String: Any] ?? [:] {
                guard let operation = operation as? [String: Any] else { continue }
                let base = "paths/\(escaped)/\(method)"
                if (operation["requestBody"] as? [String: Any]).flatMap({ content(of: $0) }) != nil {
                    locations.append("\(base)/requestBody/content/application~1json/schema")
                }
                for (status, response) in operation["responses"] as? [String: Any] ?? [:] {
                    if (resolved(response) as? [String: Any]).flatMap({ content(of: $0) }) != nil {
                        locations.append("\(base)/responses/\(status)/content/application~1json/schema")
                    }
                }
            }
        }
        return locations
    }

    private func content(of node: [String: Any]) -> Any? {
        (node["content"] as? [String: Any])?["application/json"]
    }

    /// Compares a value with a schema: with `all`, its object keys must be the schema's
    /// properties; without, its required fields. Kinds must match throughout.
    func compare(_ value: JSONValue, with node: Any?, at path: String, all: Bool, _ issues: inout [String]) {
        guard var schema = resolved(node) as? [String: Any] else {
            issues.append("\(path): no schema")
            return
        }
        if let parts = schema["allOf"] as? [Any] {
            var properties: [String: Any] = [:]
            var required: [String] = []
            for part in parts.compactMap({ resolved($0) as? [String: Any] }) {
                properties.merge(part["properties"] as? [String: Any] ?? [:]) { first, _ in first }
                required += part["required"] as? [String] ?? []
            }
            schema = ["type": "object", "properties": properties, "required": required]
        }
        let type = schema["type"] as? String
        switch value {
        case .object(let fields):
            guard type == "object" else {
                issues.append("\(path): an object where the schema has \(type ?? "no type")")
                return
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            let expected = all ? Set(properties.keys) : Set(schema["required"] as? [String] ?? [])
            if Set(fields.keys) != expected {
                issues.append(
                    "\(path): fields \(fields.keys.sorted()), schema \(all ? "properties" : "required") "
                        + "\(expected.sorted())")
            }
            for (key, field) in fields where properties[key] != nil {
                compare(field, with: properties[key], at: "\(path).\(key)", all: all, &issues)
            }
        case .array(let items):
            guard type == "array" else {
                issues.append("\(path): an array where the schema has \(type ?? "no type")")
                return
            }
            for item in items { compare(item, with: schema["items"], at: "\(path)[]", all: all, &issues) }
        default:
            if type != value.kind { issues.append("\(path): \(value.kind) where the schema has \(type ?? "no type")") }
        }
    }
}
