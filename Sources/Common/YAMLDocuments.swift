import Yams

/// Multi-document Kubernetes YAML as the API and agent see it.
public enum YAMLDocuments {
    /// Nil when every document parses, else the parser's message (with its line and column).
    public static func problem(in yaml: String) -> String? {
        do {
            let parser = try Parser(yaml: yaml)
            while try parser.nextRoot() != nil {}
            return nil
        } catch {
            return "\(error)".replacingOccurrences(of: "\n", with: " ")
        }
    }
}
