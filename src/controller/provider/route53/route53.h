#pragma once
// The `route53` provider: any Route53-compatible endpoint (AWS, zonekeeper's
// own API, moto) over REST-XML with SigV4: ListHostedZones,
// ListResourceRecordSets (all pages) and ChangeResourceRecordSets (one batch
// per zone, deletes first, updates as UPSERT, split to Route53's batch limits:
// 1000 values, 32000 characters; see batchEnds()).

#include <memory>
#include <string>

#include "controller/provider/provider.h"
#include "controller/provider/route53/http.h"
#include "controller/provider/route53/sigv4.h"

namespace zk::controller::route53 {

struct Route53Options {
  std::string endpoint = "https://route53.amazonaws.com";  // no trailing slash
  std::string region = "us-east-1";
  Credentials credentials;
  std::uint32_t defaultTtl = 300;
};

// Endpoint from --route53-endpoint or AWS_ENDPOINT_URL_ROUTE_53 / AWS_ENDPOINT_URL,
// credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
Route53Options optionsFromEnvironment(const std::string& endpointFlag);

class Route53Provider final : public Provider {
 public:
  Route53Provider(Route53Options options, std::unique_ptr<HttpClient> http)
      : options_(std::move(options)), http_(std::move(http)) {
    while (!options_.endpoint.empty() && options_.endpoint.back() == '/') options_.endpoint.pop_back();
  }

  Result<std::vector<wire::Name>> zones() override;
  Result<std::vector<Endpoint>> records() override;
  Status applyChanges(const Changes& changes) override;

 private:
  struct Zone {
    std::string id;  // without "/hostedzone/"
    wire::Name name;
  };
  Result<std::vector<Zone>> listZones();
  Result<std::string> call(const std::string& method, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& query,
                           const std::string& body);

  Route53Options options_;
  std::unique_ptr<HttpClient> http_;
};

// XML pieces, exposed for tests.
std::string changeBatchXml(const std::vector<std::pair<std::string, const Endpoint*>>& changes,
                           std::uint32_t defaultTtl, const std::string& zoneId,
                           std::span<const wire::Name> zoneNames, std::span<const std::string> zoneIds);
// TXT value in Route53 presentation: "..." with \" and \\ escaped, split into
// 255-octet strings.
std::string quoteTxt(std::string_view text);
std::string unquoteTxt(std::string_view value);

}  // namespace zk::controller::route53
