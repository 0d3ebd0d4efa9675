#pragma once
// The allow-list of the Retain Safe Private Option (PS3.15 E.3.10): private attributes known to
// carry no identity, named by private creator, group and element within the block (PS3.5 7.8.1).

#include <cstdint>
#include <set>
#include <string>
#include <tuple>

namespace medanon::deid {

class SafePrivateList {
 public:
  // configs/deid/safe-private.tsv format; throws UsageError (all ranks) on a bad row.
  static SafePrivateList load(const std::string& path);
  void add(const std::string& creator, std::uint16_t group, std::uint8_t element);

  // `element_in_block` is the low byte of (gggg,xxee).
  bool allows(const std::string& creator, std::uint16_t group, std::uint8_t element_in_block) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::set<std::tuple<std::string, std::uint16_t, std::uint8_t>> entries_;
};

}  // namespace medanon::deid
