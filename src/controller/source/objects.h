#pragma once
// Trimmed Kubernetes objects: only the fields the sources read (as an informer
// cache would keep them). Filled from manifest files now, from the API later.

#include <map>
#include <string>
#include <vector>

namespace zk::controller {

using StringMap = std::map<std::string, std::string, std::less<>>;

struct ObjectMeta {
  std::string name;
  std::string ns = "default";
  StringMap labels;
  StringMap annotations;
  // Where the object came from (manifest file and 1-based line), for messages.
  std::string file;
  int line = 0;
};

// status.loadBalancer.ingress[] entry.
struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;
};

// networking.k8s.io/v1 Ingress.
struct Ingress {
  ObjectMeta meta;
  std::string ingressClassName;        // spec.ingressClassName
  std::vector<std::string> ruleHosts;  // spec.rules[].host
  std::vector<std::string> tlsHosts;   // spec.tls[].hosts[]
  std::vector<LoadBalancerIngress> loadBalancer;
};

// v1 Service.
struct Service {
  ObjectMeta meta;
  std::string type = "ClusterIP";  // ClusterIP, NodePort, LoadBalancer, ExternalName
  std::string clusterIP;           // "None" for headless
  std::vector<std::string> externalIPs;
  std::string externalName;
  std::vector<LoadBalancerIngress> loadBalancer;
};

struct Objects {
  std::vector<Ingress> ingresses;
  std::vector<Service> services;
};

}  // namespace zk::controller
