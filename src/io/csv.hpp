#pragma once
// RFC 4180 CSV as pandas writes it (PadChest's labels CSV): quoted fields may hold commas,
// doubled quotes and newlines.

#include <istream>
#include <string>
#include <vector>

namespace medanon::io {

// Reads the next record; false at end of input. Throws InputError on an unterminated quote.
bool read_csv_record(std::istream& in, std::vector<std::string>& fields);

}  // namespace medanon::io
