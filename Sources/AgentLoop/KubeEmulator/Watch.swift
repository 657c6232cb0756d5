import BrokkrCommon
import Foundation

/// Where a watch stream is: which objects it follows and the last resourceVersion it sent.
struct WatchCursor: Sendable {
    var rt: KubeResourceType
    var namespace: String?
    var labelSelector: KubeLabelSelector?
    var fieldSelector: KubeFieldSelector?
    var lastRV: Int64
    var deadline: Date
}

extension KubeCluster {
    static func isWatch(_ req: KubeRequest) -> Bool {
        req.method == "GET" && (req.query["watch"] == "true" || req.query["watch"] == "1")
    }

    /// Starts a watch: returns the cursor and the first events (ADDED for every current object unless a
    /// resourceVersion to resume from was given), or an error response.
    func startWatch(_ req: KubeRequest) -> (WatchCursor?, [JSONValue], KubeResponse?) {
        lock.withLock {
            let segs = req.path.split(separator: "/").map(String.init)
            var rr: ResourceRequest?
            do {
                if segs.count >= 3, segs[0] == "api", segs[1] == "v1" {
                    rr = try parseResourcePath(group: "", version: "v1", rest: Array(segs[2...]))
                } else if segs.count >= 4, segs[0] == "apis" {
                    rr = try parseResourcePath(group: segs[1], version: segs[2], rest: Array(segs[3...]))
                }
                guard var r = rr, r.subresource == nil else { throw KubeAPIError.pathNotFound() }
                var query = req.query
                if let name = r.name {
                    // Watching one object: the same as a list filtered by name.
                    query["fieldSelector"] = "metadata.name=\(name)" + (query["fieldSelector"].map { "," + $0 } ?? "")
                    r.name = nil
                }
                let list = try listObjects(r, query)
                let labelSel = try query["labelSelector"].flatMap { $0.isEmpty ? nil : try KubeLabelSelector.parse($0) }
                let fieldSel = try query["fieldSelector"].flatMap { $0.isEmpty ? nil : try KubeFieldSelector.parse($0) }
                let timeout = Double(query["timeoutSeconds"] ?? "") ?? 1800
                var cursor = WatchCursor(
                    rt: r.rt, namespace: r.namespace, labelSelector: labelSel, fieldSelector: fieldSel, lastRV: resourceVersion,
                    deadline: Date().addingTimeInterval(min(max(timeout, 0), 3600)))
                var initial: [JSONValue] = []
                if let rvText = query["resourceVersion"], let rv = Int64(rvText), rv > 0 {
                    cursor.lastRV = rv
                    initial = pollLocked(&cursor)
                } else {
                    initial = (list["items"]?.arrayValue ?? []).map { ["type": "ADDED", "object": $0] }
                }
                recordWatchRequest(req, 200)
                return (cursor, initial, nil)
            } catch let e as KubeAPIError {
                recordWatchRequest(req, e.code)
                return (nil, [], .error(e))
            } catch {
                recordWatchRequest(req, 400)
                return (nil, [], .error(KubeAPIError.badRequest("\(error)")))
            }
        }
    }

    func recordWatchRequest(_ req: KubeRequest, _ status: Int) {
        recorded.append(
            KubeRecordedRequest(
                method: req.method, path: req.path, query: req.query, contentType: "", accept: req.headers["accept"] ?? "",
                userAgent: req.headers["user-agent"] ?? "", body: "", status: status))
    }

    /// Events since the cursor's last resourceVersion that match it.
    func pollWatch(_ cursor: inout WatchCursor) -> [JSONValue] {
        lock.withLock { pollLocked(&cursor) }
    }

    func pollLocked(_ cursor: inout WatchCursor) -> [JSONValue] {
        var out: [JSONValue] = []
        let storageKey = cursor.rt.storageKey
        for e in watchLog where e.resourceVersion > cursor.lastRV && e.storageKey == storageKey {
            let k = KubeCluster.key(of: e.object)
            if let ns = cursor.namespace, cursor.rt.namespaced, k.namespace != ns { continue }
            if let l = cursor.labelSelector, !l.matches(KubeCluster.labels(of: e.object)) { continue }
            if let f = cursor.fieldSelector, !f.matches(e.object) { continue }
            out.append(["type": .string(e.type), "object": served(e.object, cursor.rt)])
        }
        cursor.lastRV = resourceVersion
        return out
    }
}
