import BrokkrCommon
import Foundation

/// The Node objects the cluster starts with.
enum Workloads {
    static func nodeObject(name: String, now: String, version: String) -> JSONValue {
        let resources: JSONValue = ["cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"]
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name),
                "labels": [
                    "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64", "node-role.kubernetes.io/control-plane": "",
                ],
            ],
            "spec": ["podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"]],
            "status": [
                "conditions": [
                    [
                        "type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory",
                        "message": "kubelet has sufficient memory available", "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
                    ],
                    [
                        "type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure",
                        "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
                    ],
                    [
                        "type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID",
                        "message": "kubelet has sufficient PID available", "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
                    ],
                    [
                        "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                        "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
                    ],
                ],
                "addresses": [["type": "InternalIP", "address": "10.0.0.10"], ["type": "Hostname", "address": .string(name)]],
                "capacity": resources, "allocatable": resources,
                "nodeInfo": [
                    "kubeletVersion": .string(version), "kubeProxyVersion": .string(version), "osImage": "Brokkr Kube Emulator",
                    "containerRuntimeVersion": "containerd://1.7.0", "architecture": "amd64", "operatingSystem": "linux",
                    "kernelVersion": "6.1.0", "machineID": "", "systemUUID": "", "bootID": "",
                ],
            ],
        ]
    }
}
