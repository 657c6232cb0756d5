public enum BrokkrVersion {
    public static let current = "0.1.0"
}
