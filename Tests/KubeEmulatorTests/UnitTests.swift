import BrokkrCommon
import Foundation
import Testing

@testable import KubeEmulator

@Suite struct SelectorTests {
    @Test func parsesAllOperators() throws {
        let s = try KubeLabelSelector.parse("app=web, tier==fe,env!=prod,zone in (a, b),team notin (x),canary,!legacy")
        #expect(s.requirements.map(\.op) == [.equals, .equals, .notEquals, .in, .notIn, .exists, .doesNotExist])
        #expect(s.requirements[3].values == ["a", "b"])
        #expect(s.matches(["app": "web", "tier": "fe", "env": "dev", "zone": "b", "team": "y", "canary": ""]))
        #expect(!s.matches(["app": "web", "tier": "fe", "env": "dev", "zone": "b", "team": "y", "canary": "", "legacy": "1"]))
        #expect(!s.matches(["app": "web", "tier": "fe", "env": "prod", "zone": "b", "canary": ""]))
        #expect(try KubeLabelSelector.parse("").isEmpty)
        #expect(
            try KubeLabelSelector.parse("brokkr.io/deployment-object-id=0b6d3f1e-1111-2222-3333-444455556666").matches([
                "brokkr.io/deployment-object-id": "0b6d3f1e-1111-2222-3333-444455556666"
            ]))
    }

    @Test func rejectsMalformedSelectors() {
        for bad in ["app===x", "app in x", "=x", "app in ()", "-bad=x", "a=b=c"] {
            #expect(throws: KubeLabelSelector.ParseError.self, "\(bad)") { try KubeLabelSelector.parse(bad) }
        }
    }

    @Test func labelSelectorObjects() {
        let sel = KubeLabelSelector.fromObject([
            "matchLabels": ["app": "x"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["a"]]],
        ])
        #expect(sel?.matches(["app": "x", "tier": "a"]) == true)
        #expect(sel?.matches(["app": "x", "tier": "b"]) == false)
        #expect(sel?.stringValue == "app=x,tier in (a)")
    }

    @Test func fieldSelectors() throws {
        let s = try KubeFieldSelector.parse("metadata.name=a,status.phase!=Failed")
        let obj: JSONValue = ["metadata": ["name": "a"], "status": ["phase": "Running"]]
        #expect(s.matches(obj))
        #expect(!(try KubeFieldSelector.parse("metadata.name==b")).matches(obj))
        #expect(try KubeFieldSelector.parse("spec.nodeName=").matches(obj))
    }
}

@Suite struct JSONAndYAMLTests {
    @Test func roundTrips() throws {
        let text = #"{"a":[1,2.5,true,null,"x\n\"y\"\u00e9"],"b":{"c":-3}}"#
        let v = try JSONValue.parse(text)
        #expect(v["a"]?.arrayValue?[0] == .int(1))
        #expect(v["a"]?.arrayValue?[1] == .double(2.5))
        #expect(v["a"]?.arrayValue?[4] == .string("x\n\"y\"é"))
        #expect(try JSONValue.parse(v.kubeSerialized()) == v)
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{\"a\":}") }
    }

    @Test func yamlDocuments() throws {
        let docs = try JSONValue.parseYAMLDocuments(
            """
            # comment only
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
            data:
              n: "1"
              b: "true"
            ---
            ---
            replicas: 3
            ratio: 0.5
            enabled: true
            nothing: null
            list: [a, 1]
            """)
        #expect(docs.count == 2)
        #expect(docs[0]["data"]?["n"] == "1")
        #expect(docs[0]["data"]?["b"] == "true")
        #expect(docs[1]["replicas"] == .int(3))
        #expect(docs[1]["ratio"] == .double(0.5))
        #expect(docs[1]["enabled"] == .bool(true))
        #expect(docs[1]["nothing"] == .null)
        #expect(docs[1]["list"] == ["a", 1])
        let back = try JSONValue.parseYAML(docs[0].yamlString())
        #expect(back == docs[0])
    }
}

@Suite struct MergeTests {
    @Test func mergePatch() {
        let target: JSONValue = ["a": 1, "b": ["c": 2, "d": 3], "e": [1, 2]]
        let out = Merge.mergePatch(target, ["a": nil, "b": ["c": 9], "e": [3]])
        #expect(out == ["b": ["c": 9, "d": 3], "e": [3]])
    }

    @Test func strategicMergePatchMergesKeyedListsAndHonoursDirectives() {
        let original: JSONValue = [
            "metadata": ["finalizers": ["a"]],
            "spec": ["containers": [["name": "app", "image": "v1", "env": [["name": "A", "value": "1"]]], ["name": "side", "image": "s"]]],
        ]
        let patch: JSONValue = [
            "metadata": ["finalizers": ["b"]],
            "spec": [
                "$setElementOrder/containers": [["name": "side"], ["name": "app"]],
                "containers": [
                    ["name": "app", "image": "v2", "env": [["name": "B", "value": "2"]]],
                    ["name": "side", "$patch": "delete"],
                ],
            ],
        ]
        let out = Merge.strategicMerge(original, patch)
        let containers = out?["spec"]?["containers"]?.arrayValue ?? []
        #expect(containers.count == 1)
        #expect(containers.first?["image"] == "v2")
        #expect(containers.first?["env"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["A", "B"])
        #expect(out?["metadata"]?["finalizers"] == ["a", "b"])

        let replaced = Merge.strategicMerge(["spec": ["a": 1, "b": 2]], ["spec": ["$patch": "replace", "c": 3]])
        #expect(replaced == ["spec": ["c": 3]])
        let retained = Merge.strategicMerge(["s": ["a": 1, "b": 2]], ["s": ["$retainKeys": ["a", "c"], "c": 3]])
        #expect(retained == ["s": ["a": 1, "c": 3]])
    }

    @Test func jsonPatch() throws {
        let doc: JSONValue = ["a": ["b": [1, 2]], "c": "x"]
        let out = try Merge.jsonPatch(
            doc,
            [
                ["op": "add", "path": "/a/b/-", "value": 3],
                ["op": "replace", "path": "/c", "value": "y"],
                ["op": "copy", "from": "/c", "path": "/d"],
                ["op": "move", "from": "/d", "path": "/e"],
                ["op": "remove", "path": "/a/b/0"],
                ["op": "test", "path": "/e", "value": "y"],
            ])
        #expect(out == ["a": ["b": [2, 3]], "c": "y", "e": "y"])
        #expect(throws: PatchError.self) { try Merge.jsonPatch(doc, [["op": "test", "path": "/c", "value": "z"]]) }
        #expect(throws: PatchError.self) { try Merge.jsonPatch(doc, [["op": "remove", "path": "/nope"]]) }
    }
}

@Suite struct FieldManagementTests {
    static let deploy: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "x", "labels": ["app": "x"]],
        "spec": [
            "replicas": 2, "template": ["spec": ["containers": [["name": "app", "image": "i", "ports": [["containerPort": 80]], "args": ["-v"]]]]],
        ],
        "status": ["replicas": 2],
    ]

    @Test func fieldSetsUseKeysForKnownListsAndRoundTripThroughFieldsV1() {
        let set = FieldSets.fieldSet(of: Self.deploy, cursor: .builtin, topLevel: { $0 != "apiVersion" && $0 != "kind" && $0 != "status" })
        let item = #"k:{"name":"app"}"#
        #expect(set.contains(["f:metadata", "f:labels", "f:app"]))
        #expect(set.contains(["f:spec", "f:replicas"]))
        #expect(set.contains(["f:spec", "f:template", "f:spec", "f:containers", item]))
        #expect(set.contains(["f:spec", "f:template", "f:spec", "f:containers", item, "f:image"]))
        #expect(set.contains(["f:spec", "f:template", "f:spec", "f:containers", item, "f:args"]))
        #expect(set.contains(["f:spec", "f:template", "f:spec", "f:containers", item, "f:ports", #"k:{"containerPort":80,"protocol":"TCP"}"#]))
        #expect(!set.contains { $0.first == "f:status" || $0 == ["f:metadata", "f:name"] })
        let tree = FieldSets.tree(from: set)
        #expect(tree["f:spec"]?["f:template"]?["f:spec"]?["f:containers"]?[item]?["."] == .object([:]))
        #expect(FieldSets.set(fromTree: tree) == set)
        #expect(FieldSets.value(at: ["f:spec", "f:template", "f:spec", "f:containers", item, "f:image"], in: Self.deploy) == "i")
        #expect(
            FieldSets.describe(["f:spec", "f:template", "f:spec", "f:containers", item, "f:image"])
                == #".spec.template.spec.containers[name="app"].image"#)
    }

    @Test func applyConflictsRemovalAndForce() throws {
        let top: (String) -> Bool = { $0 != "apiVersion" && $0 != "kind" }
        let now = "2024-01-01T00:00:00Z"
        var obj = try FieldManager.apply(
            live: nil, config: ["metadata": ["labels": ["a": "1", "b": "2"]], "data": ["x": "1"]],
            manager: "m1", force: false, apiVersion: "v1", subresource: nil, cursor: .builtin, topLevel: top, now: now)
        // m2 changes x: conflict.
        #expect(throws: ApplyConflictError.self) {
            try FieldManager.apply(
                live: obj, config: ["data": ["x": "2"]], manager: "m2", force: false, apiVersion: "v1",
                subresource: nil, cursor: .builtin, topLevel: top, now: now)
        }
        do {
            _ = try FieldManager.apply(
                live: obj, config: ["data": ["x": "2"]], manager: "m2", force: false, apiVersion: "v1",
                subresource: nil, cursor: .builtin, topLevel: top, now: now)
        } catch {
            #expect(error.message == "Apply failed with 1 conflict: conflict with \"m1\": .data.x")
        }
        obj = try FieldManager.apply(
            live: obj, config: ["data": ["x": "2"]], manager: "m2", force: true, apiVersion: "v1",
            subresource: nil, cursor: .builtin, topLevel: top, now: now)
        #expect(obj["data"]?["x"] == "2")
        // m1 now applies without label b and without x: b goes, x stays (m2's).
        obj = try FieldManager.apply(
            live: obj, config: ["metadata": ["labels": ["a": "1"]]], manager: "m1", force: false,
            apiVersion: "v1", subresource: nil, cursor: .builtin, topLevel: top, now: now)
        #expect(obj["metadata"]?["labels"] == ["a": "1"])
        #expect(obj["data"] == ["x": "2"])
        let entries = FieldManager.entries(of: obj)
        #expect(entries.map(\.manager) == ["m1", "m2"])

        // An Update takes over what it changed.
        var changed = obj
        changed["data"] = ["x": "3"]
        let updated = FieldManager.update(
            live: obj, new: changed, manager: "editor", apiVersion: "v1", subresource: nil,
            cursor: .builtin, topLevel: top, now: now)
        let after = FieldManager.entries(of: updated)
        #expect(after.first { $0.manager == "editor" }?.fields == [["f:data", "f:x"]])
        #expect(after.contains { $0.manager == "m2" } == false)
        #expect(after.first { $0.manager == "editor" }?.printed == "\"editor\" using v1")
    }

    @Test func customResourceListsAreAtomicUnlessTheSchemaSaysOtherwise() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "spec": [
                    "type": "object",
                    "properties": [
                        "items": [
                            "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"], "items": ["type": "object"],
                        ],
                        "tags": ["type": "array", "items": ["type": "string"]],
                    ],
                ]
            ],
        ]
        let obj: JSONValue = ["spec": ["items": [["id": "a", "v": 1]], "tags": ["x", "y"]]]
        let set = FieldSets.fieldSet(of: obj, cursor: .schema(schema), topLevel: { _ in true })
        #expect(set.contains(["f:spec", "f:items", #"k:{"id":"a"}"#, "f:v"]))
        #expect(set.contains(["f:spec", "f:tags"]))
    }
}

@Suite struct ClusterTests {
    @Test func libraryAPIWithoutHTTP() throws {
        var options = KubeCluster.Options()
        options.namespaceDeletionDelay = 0
        let cluster = KubeCluster(options: options)
        let r = cluster.handle(
            KubeRequest(
                method: "PATCH", url: "/api/v1/namespaces/default/configmaps/a?fieldManager=t",
                headers: ["Content-Type": "application/apply-patch+yaml"],
                body: Array("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n".utf8)))
        #expect(r.status == 201)
        #expect(cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "a")?["data"]?["k"] == "v")
        let rv1 = cluster.currentResourceVersion
        try cluster.put(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "x"]])
        #expect(cluster.currentResourceVersion > rv1)
        #expect(cluster.get(apiVersion: "v1", kind: "ServiceAccount", namespace: "x", name: "default") != nil)
        try cluster.delete(apiVersion: "v1", kind: "Namespace", name: "x")
        #expect(cluster.get(apiVersion: "v1", kind: "Namespace", name: "x") == nil)
        #expect(cluster.requests().count == 1)
        let missing = cluster.handle(KubeRequest(method: "GET", url: "/api/v1/namespaces/default/configmaps/zzz"))
        #expect(missing.status == 404)
        #expect(missing.json?["reason"] == "NotFound")
    }

    @Test func podStatusPresets() {
        let pod: JSONValue = ["metadata": ["name": "p"], "spec": ["containers": [["name": "a", "image": "x:1"], ["name": "b", "image": "y"]]]]
        let waiting = KubePodStatus.waiting(pod, reason: "ImagePullBackOff", container: "b")
        let cs = waiting["containerStatuses"]?.arrayValue ?? []
        #expect(cs[0]["state"]?["running"] != nil)
        #expect(cs[1]["state"]?["waiting"]?["reason"] == "ImagePullBackOff")
        let oom = KubePodStatus.oomKilled(pod)
        #expect(oom["containerStatuses"]?.arrayValue?.first?["lastState"]?["terminated"]?["reason"] == "OOMKilled")
        #expect(oom["phase"] == "Running")
        let failed = KubePodStatus.terminated(pod, succeeded: false)
        #expect(failed["phase"] == "Failed")
        #expect(Tables.podStatusReason(["status": waiting]) == "ImagePullBackOff")
        #expect(Tables.humanDuration(45) == "45s")
        #expect(Tables.humanDuration(5 * 60 + 3) == "5m3s")
        #expect(Tables.humanDuration(3 * 3600) == "3h")
        #expect(Tables.humanDuration(3 * 86400) == "3d")
    }

    @Test func jsonPathForPrinterColumns() {
        let obj: JSONValue = [
            "status": ["conditions": [["type": "Ready", "status": "False"], ["type": "Succeeded", "status": "True"]]], "spec": ["n": 3],
        ]
        #expect(JSONPathLite.evaluate(#".status.conditions[?(@.type=="Succeeded")].status"#, obj) == "True")
        #expect(JSONPathLite.evaluate(".spec.n", obj) == 3)
        #expect(JSONPathLite.evaluate(".status.conditions[0].type", obj) == "Ready")
        #expect(JSONPathLite.evaluate(".missing", obj) == nil)
    }

    @Test func timestamps() {
        #expect(KubeCluster.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(KubeCluster.format(Date(timeIntervalSince1970: 1_709_251_199)) == "2024-02-29T23:59:59Z")
        #expect(KubeCluster.parseTime("2024-02-29T23:59:59Z") == Date(timeIntervalSince1970: 1_709_251_199))
    }

    @Test func optionsForPendingPodsAndControllerEvents() throws {
        var options = KubeCluster.Options()
        options.autoRunPods = false
        options.generateEvents = true
        let cluster = KubeCluster(options: options)
        let body = deploymentYAML(replicas: 2, namespace: "default")
        let r = cluster.handle(
            KubeRequest(
                method: "PATCH", url: "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=t",
                headers: ["Content-Type": "application/apply-patch+yaml"], body: Array(body.utf8)))
        #expect(r.status == 201)
        let pods = cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default")
        #expect(pods.count == 2)
        #expect(pods.allSatisfy { $0["status"]?["phase"] == "Pending" })
        #expect(pods.allSatisfy { $0["status"]?["containerStatuses"]?.arrayValue?.first?["state"]?["waiting"]?["reason"] == "ContainerCreating" })
        let d = try #require(cluster.get(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web"))
        #expect(d["status"]?["readyReplicas"] == nil)
        #expect(d["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }?["status"] == "False")
        let reasons = cluster.list(apiVersion: "v1", kind: "Event", namespace: "default").compactMap { $0["reason"]?.stringValue }
        #expect(reasons.filter { $0 == "SuccessfulCreate" }.count == 2)
        #expect(reasons.filter { $0 == "Scheduled" }.count == 2)
    }
}
