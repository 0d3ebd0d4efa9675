#include "deid/safe_private.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include "core/errors.hpp"

namespace medanon::deid {
namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

SafePrivateList SafePrivateList::load(const std::string& path) {
  SafePrivateList list;
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read the safe private allow-list " + path, Scope::all_ranks);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#' || line.rfind("creator\t", 0) == 0) continue;
    std::vector<std::string> cells;
    std::stringstream stream(line);
    std::string cell;
    while (std::getline(stream, cell, '\t')) cells.push_back(cell);
    try {
      if (cells.size() < 3) throw std::invalid_argument("columns");
      const unsigned long group = std::stoul(cells[1], nullptr, 16);
      const unsigned long element = std::stoul(cells[2], nullptr, 16);
      // Private groups are odd (PS3.5 7.8.1); 0001-0007 and FFFF are not usable.
      if (group % 2 == 0 || group <= 0x0007 || group >= 0xffff || element > 0xff) throw std::invalid_argument("range");
      list.add(trimmed(cells[0]), static_cast<std::uint16_t>(group), static_cast<std::uint8_t>(element));
    } catch (const std::exception&) {
      throw UsageError(path + ":" + std::to_string(number) +
                           ": expected creator<TAB>odd group (hex)<TAB>element in block (hex, 00-FF)",
                       Scope::all_ranks);
    }
  }
  return list;
}

void SafePrivateList::add(const std::string& creator, std::uint16_t group, std::uint8_t element) {
  entries_.insert({creator, group, element});
}

bool SafePrivateList::allows(const std::string& creator, std::uint16_t group, std::uint8_t element_in_block) const {
  return entries_.count({trimmed(creator), group, element_in_block}) > 0;
}

}  // namespace medanon::deid
