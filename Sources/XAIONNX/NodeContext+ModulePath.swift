import Foundation
import XAICore

extension NodeContext {
    /// The PyTorch module that wrote this node (`layer4.1.relu`), from the name scopes that the
    /// default (dynamo) exporter records in the node's metadata:
    /// `pkg.torch.onnx.name_scopes = "['', 'layer4', 'layer4.1', 'layer4.1.relu', 'relu_16']"`,
    /// the module path being the last scope before the op's own name. Nil when absent, when
    /// the node belongs to the top module, or when the value does not read as such a list.
    var modulePath: String? {
        guard let value = proto.metadataProps.first(where: { $0.key == "pkg.torch.onnx.name_scopes" })?.value,
              value.utf8.count <= 4096, value.hasPrefix("["), value.hasSuffix("]") else { return nil }
        let scopes = value.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map { part -> String? in
            let s = part.trimmingCharacters(in: .whitespaces)
            guard s.count >= 2, s.first == "'", s.last == "'" else { return nil }
            return String(s.dropFirst().dropLast())
        }
        guard scopes.count >= 2, let path = scopes[scopes.count - 2], !path.isEmpty, !scopes.contains(where: { $0 == nil }) else {
            return nil
        }
        return TerminalText.sanitize(path)
    }
}
