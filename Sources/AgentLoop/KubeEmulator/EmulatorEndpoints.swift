import Foundation

/// `/_emulator/...`: test hooks over HTTP (recorded requests, pod logs, raw objects, faults).
extension KubeCluster {
    func serveEmulator(_ req: KubeRequest, _ segs: [String]) throws -> KubeResponse {
        switch (req.method, segs.first ?? "") {
        case ("GET", "requests"):
            return .json(200, .array(recorded.map { $0.asJSON }))
        case ("DELETE", "requests"):
            recorded.removeAll()
            return .json(200, ["status": "Success"])
        case ("PUT", "logs"), ("POST", "logs"):
            guard segs.count == 4 else { throw KubeAPIError.badRequest("use /_emulator/logs/{namespace}/{pod}/{container}") }
            let previous = req.query["previous"] == "true"
            if req.query["append"] == "true" {
                podLogs[KubeCluster.logKey(segs[1], segs[2], segs[3], previous), default: ""] += req.bodyText
            } else {
                podLogs[KubeCluster.logKey(segs[1], segs[2], segs[3], previous)] = req.bodyText
            }
            return .json(200, ["status": "Success"])
        case ("POST", "objects"), ("PUT", "objects"):
            return .json(200, try putLocked(try parseBody(req)))
        case ("POST", "faults"):
            let f = try parseBody(req)
            faults.append(
                KubeFault(
                    method: f["method"]?.stringValue, pathContains: f["pathContains"]?.stringValue ?? "",
                    code: Int(f["code"]?.intValue ?? 500), reason: f["reason"]?.stringValue ?? "InternalError",
                    message: f["message"]?.stringValue ?? "injected failure", times: f["times"]?.intValue.map { Int($0) }))
            return .json(200, ["status": "Success"])
        case ("DELETE", "faults"):
            faults.removeAll()
            return .json(200, ["status": "Success"])
        default:
            throw KubeAPIError.pathNotFound()
        }
    }
}
