#pragma once
// Binary forms the SQLite store keeps in BLOB columns: a record set's values
// (u16 length + RDATA each) and a journal entry's diff. Decoders check every
// bound, so a damaged row is an error, never a crash.

#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "store/zone_store.h"

namespace zk::store {

std::vector<std::uint8_t> encodeValues(const std::vector<wire::Bytes>& values);
Result<std::vector<wire::Bytes>> decodeValues(std::span<const std::uint8_t> blob);

// removed then added record sets (name, type, TTL, values, alias).
std::vector<std::uint8_t> encodeDiff(const std::vector<RecordSet>& removed,
                                     const std::vector<RecordSet>& added);
Status decodeDiff(std::span<const std::uint8_t> blob, std::vector<RecordSet>& removed,
                  std::vector<RecordSet>& added);

}  // namespace zk::store
