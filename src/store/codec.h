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

// `texts` (RecordSet::valueText), when given, follow the values after a
// 0xFFFF length (no RDATA is that long in a record set here): u16 count, then
// u16 length + octets each. Blobs written before that have no such part.
std::vector<std::uint8_t> encodeValues(const std::vector<wire::Bytes>& values,
                                       const std::vector<std::string>& texts = {});
Result<std::vector<wire::Bytes>> decodeValues(std::span<const std::uint8_t> blob,
                                              std::vector<std::string>* texts = nullptr);

// removed then added record sets (name, type, TTL, values, alias).
std::vector<std::uint8_t> encodeDiff(const std::vector<RecordSet>& removed,
                                     const std::vector<RecordSet>& added);
Status decodeDiff(std::span<const std::uint8_t> blob, std::vector<RecordSet>& removed,
                  std::vector<RecordSet>& added);

}  // namespace zk::store
