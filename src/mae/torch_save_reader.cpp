// A pickle machine for torch.save archives (see torch_save_reader.hpp for why not LibTorch's).
// Opcode semantics follow CPython's Lib/pickle.py; tensor records follow torch/serialization.py:
// each tensor is _rebuild_tensor_v2(storage, offset, size, stride, ...) and each storage a
// persistent id ('storage', torch.<Type>Storage, key, location, numel) whose bytes are the
// archive record data/<key>.

#include "mae/torch_save_reader.hpp"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace medanon::mae {

PyRef PyValue::find(const std::string& key) const {
  for (const auto& [k, v] : entries) {
    if (k && k->kind == Kind::string && k->text == key) return v;
  }
  return nullptr;
}

std::string PyValue::kind_name() const {
  static const char* names[] = {"None", "bool",  "int",  "float",  "str",   "bytes",
                                "list", "tuple", "dict", "tensor", "global", "object"};
  return names[static_cast<int>(kind)];
}

std::string PyValue::repr(int depth) const {
  std::ostringstream s;
  switch (kind) {
    case Kind::none: return "None";
    case Kind::boolean: return boolean ? "True" : "False";
    case Kind::integer: return std::to_string(integer);
    case Kind::floating: s << floating; return s.str();
    case Kind::string: return "'" + text + "'";
    case Kind::bytes: return "b'<" + std::to_string(text.size()) + " bytes>'";
    case Kind::global: return text;
    case Kind::tensor: s << "tensor" << tensor.sizes(); return s.str();
    default: break;
  }
  if (depth > 3) return "...";
  const bool is_object = kind == Kind::object;
  s << (is_object ? text + "(" : kind == Kind::dict ? "{" : kind == Kind::list ? "[" : "(");
  bool first = true;
  for (const auto& item : items) {
    s << (first ? "" : ", ") << item->repr(depth + 1);
    first = false;
  }
  for (const auto& [k, v] : entries) {
    s << (first ? "" : ", ") << (is_object && k->kind == Kind::string ? k->text + "=" : k->repr(depth + 1) + ": ")
      << v->repr(depth + 1);
    first = false;
  }
  s << (is_object ? ")" : kind == Kind::dict ? "}" : kind == Kind::list ? "]" : ")");
  return s.str();
}

bool is_zip_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0;
}

namespace {

PyRef make(PyValue::Kind kind) {
  auto v = std::make_shared<PyValue>();
  v->kind = kind;
  return v;
}

PyRef make_text(PyValue::Kind kind, std::string text) {
  auto v = make(kind);
  v->text = std::move(text);
  return v;
}

c10::ScalarType storage_dtype(const std::string& storage_class) {
  static const std::map<std::string, c10::ScalarType> types = {
      {"torch.FloatStorage", torch::kFloat32}, {"torch.DoubleStorage", torch::kFloat64},
      {"torch.HalfStorage", torch::kFloat16},  {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kInt64},    {"torch.IntStorage", torch::kInt32},
      {"torch.ShortStorage", torch::kInt16},   {"torch.CharStorage", torch::kInt8},
      {"torch.ByteStorage", torch::kUInt8},    {"torch.BoolStorage", torch::kBool}};
  const auto found = types.find(storage_class);
  if (found == types.end()) throw TorchSaveError("unsupported tensor storage type " + storage_class);
  return found->second;
}

std::vector<std::int64_t> int_tuple(const PyRef& tuple) {
  std::vector<std::int64_t> values;
  for (const auto& item : tuple->items) values.push_back(item->integer);
  return values;
}

class PickleMachine {
 public:
  PickleMachine(const std::string& pickle, caffe2::serialize::PyTorchStreamReader& archive)
      : data_(pickle), archive_(archive) {}

  PyRef run() {
    while (true) {
      const auto op = static_cast<unsigned char>(read_byte());
      if (op == '.') break;  // STOP
      step(op);
    }
    if (stack_.size() != 1) throw TorchSaveError("malformed pickle: stack has " + std::to_string(stack_.size()) + " items at STOP");
    return stack_.back();
  }

 private:
  char read_byte() {
    if (pos_ >= data_.size()) throw TorchSaveError("malformed pickle: truncated");
    return data_[pos_++];
  }
  std::string read_bytes(std::size_t n) {
    if (pos_ + n > data_.size()) throw TorchSaveError("malformed pickle: truncated");
    std::string out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::uint64_t read_le(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(static_cast<unsigned char>(read_byte())) << (8 * i);
    return value;
  }
  std::string read_line() {
    const auto end = data_.find('\n', pos_);
    if (end == std::string::npos) throw TorchSaveError("malformed pickle: unterminated line");
    std::string line = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return line;
  }
  PyRef pop() {
    if (stack_.empty()) throw TorchSaveError("malformed pickle: stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::vector<PyRef> pop_to_mark() {
    if (marks_.empty()) throw TorchSaveError("malformed pickle: no MARK");
    const auto start = marks_.back();
    marks_.pop_back();
    std::vector<PyRef> items(stack_.begin() + static_cast<std::ptrdiff_t>(start), stack_.end());
    stack_.resize(start);
    return items;
  }
  PyRef tuple_of(std::vector<PyRef> items) {
    auto t = make(PyValue::Kind::tuple);
    t->items = std::move(items);
    return t;
  }
  void push_int(std::int64_t value) {
    auto v = make(PyValue::Kind::integer);
    v->integer = value;
    stack_.push_back(v);
  }
  void memo_put(std::uint64_t key) { memo_[key] = stack_.back(); }
  PyRef memo_get(std::uint64_t key) {
    const auto found = memo_.find(key);
    if (found == memo_.end()) throw TorchSaveError("malformed pickle: unknown memo key");
    return found->second;
  }
  void set_items(const PyRef& dict, const std::vector<PyRef>& flat) {
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2) set_item(dict, flat[i], flat[i + 1]);
  }
  static void set_item(const PyRef& dict, const PyRef& key, const PyRef& value) {
    if (dict->kind != PyValue::Kind::dict) throw TorchSaveError("malformed pickle: SETITEM on a " + dict->kind_name());
    dict->entries.emplace_back(key, value);
  }

  void step(unsigned char op);
  PyRef call(const PyRef& callable, const PyRef& args);
  PyRef load_storage(const PyRef& persistent_id);

  std::string data_;
  std::size_t pos_ = 0;
  caffe2::serialize::PyTorchStreamReader& archive_;
  std::vector<PyRef> stack_;
  std::vector<std::size_t> marks_;
  std::map<std::uint64_t, PyRef> memo_;
  std::map<std::string, PyRef> storages_;  // shared between views of one storage
};

void PickleMachine::step(unsigned char op) {
  using K = PyValue::Kind;
  switch (op) {
    case 0x80: read_byte(); break;            // PROTO
    case 0x95: read_le(8); break;             // FRAME (protocol 4): framing only
    case '(': marks_.push_back(stack_.size()); break;  // MARK
    case '}': stack_.push_back(make(K::dict)); break;  // EMPTY_DICT
    case ']': stack_.push_back(make(K::list)); break;  // EMPTY_LIST
    case ')': stack_.push_back(make(K::tuple)); break;  // EMPTY_TUPLE
    case 'N': stack_.push_back(make(K::none)); break;   // NONE
    case 0x88: case 0x89: {                               // NEWTRUE, NEWFALSE
      auto v = make(K::boolean);
      v->boolean = op == 0x88;
      stack_.push_back(v);
      break;
    }
    case 'J': push_int(static_cast<std::int32_t>(read_le(4))); break;  // BININT
    case 'K': push_int(static_cast<std::int64_t>(read_le(1))); break;  // BININT1
    case 'M': push_int(static_cast<std::int64_t>(read_le(2))); break;  // BININT2
    case 0x8a: {                                                         // LONG1: little-endian two's complement
      const auto n = static_cast<int>(read_le(1));
      if (n > 8) throw TorchSaveError("integer too large in pickle");
      std::uint64_t value = n > 0 ? read_le(n) : 0;
      if (n > 0 && n < 8 && (value >> (8 * n - 1)) & 1) value |= ~std::uint64_t{0} << (8 * n);
      push_int(static_cast<std::int64_t>(value));
      break;
    }
    case 'G': {  // BINFLOAT: big-endian IEEE double
      std::uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<unsigned char>(read_byte());
      auto v = make(K::floating);
      std::memcpy(&v->floating, &bits, sizeof bits);
      stack_.push_back(v);
      break;
    }
    case 'X': stack_.push_back(make_text(K::string, read_bytes(read_le(4)))); break;      // BINUNICODE
    case 0x8c: stack_.push_back(make_text(K::string, read_bytes(read_le(1)))); break;     // SHORT_BINUNICODE
    case 0x8d: stack_.push_back(make_text(K::string, read_bytes(read_le(8)))); break;     // BINUNICODE8
    case 'T': stack_.push_back(make_text(K::string, read_bytes(read_le(4)))); break;      // BINSTRING
    case 'U': stack_.push_back(make_text(K::string, read_bytes(read_le(1)))); break;      // SHORT_BINSTRING
    case 'B': stack_.push_back(make_text(K::bytes, read_bytes(read_le(4)))); break;       // BINBYTES
    case 'C': stack_.push_back(make_text(K::bytes, read_bytes(read_le(1)))); break;       // SHORT_BINBYTES
    case 'q': memo_put(read_le(1)); break;                                                // BINPUT
    case 'r': memo_put(read_le(4)); break;                                                // LONG_BINPUT
    case 0x94: memo_put(memo_.size()); break;                                             // MEMOIZE
    case 'h': stack_.push_back(memo_get(read_le(1))); break;                              // BINGET
    case 'j': stack_.push_back(memo_get(read_le(4))); break;                              // LONG_BINGET
    case 't': stack_.push_back(tuple_of(pop_to_mark())); break;                           // TUPLE
    case 0x85: case 0x86: case 0x87: {                                                    // TUPLE1..3
      const std::size_t n = op - 0x84;
      if (stack_.size() < n) throw TorchSaveError("malformed pickle: stack underflow");
      std::vector<PyRef> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
      stack_.resize(stack_.size() - n);
      stack_.push_back(tuple_of(std::move(items)));
      break;
    }
    case 'l': {  // LIST
      auto list = make(K::list);
      list->items = pop_to_mark();
      stack_.push_back(list);
      break;
    }
    case 'a': {  // APPEND
      auto value = pop();
      stack_.back()->items.push_back(value);
      break;
    }
    case 'e': {  // APPENDS
      auto values = pop_to_mark();
      auto& list = stack_.back()->items;
      list.insert(list.end(), values.begin(), values.end());
      break;
    }
    case 'd': {  // DICT
      auto dict = make(K::dict);
      set_items(dict, pop_to_mark());
      stack_.push_back(dict);
      break;
    }
    case 's': {  // SETITEM
      auto value = pop();
      auto key = pop();
      set_item(stack_.back(), key, value);
      break;
    }
    case 'u': {  // SETITEMS
      auto flat = pop_to_mark();
      set_items(stack_.back(), flat);
      break;
    }
    case 'c': {  // GLOBAL module\nname\n
      auto module = read_line();
      stack_.push_back(make_text(K::global, module + "." + read_line()));
      break;
    }
    case 0x93: {  // STACK_GLOBAL
      auto name = pop();
      auto module = pop();
      stack_.push_back(make_text(K::global, module->text + "." + name->text));
      break;
    }
    case 'R': case 0x81: {  // REDUCE, NEWOBJ: callable(*args)
      auto args = pop();
      auto callable = pop();
      stack_.push_back(call(callable, args));
      break;
    }
    case 'b': {  // BUILD: obj.__setstate__(state) or obj.__dict__.update(state)
      auto state = pop();
      auto& target = stack_.back();
      if (target->kind == K::object && state->kind == K::dict) {
        target->entries.insert(target->entries.end(), state->entries.begin(), state->entries.end());
      } else if (target->kind == K::object) {
        target->items.push_back(state);
      }
      // A state dict's BUILD carries its `_metadata` (module versions): not needed here.
      break;
    }
    case 'Q': stack_.push_back(load_storage(pop())); break;  // BINPERSID
    default: {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", op);
      throw TorchSaveError(std::string("unsupported pickle opcode ") + hex + " at byte " + std::to_string(pos_ - 1));
    }
  }
}

PyRef PickleMachine::call(const PyRef& callable, const PyRef& args) {
  using K = PyValue::Kind;
  const std::string name = callable->kind == K::global ? callable->text : "";
  const auto& a = args->items;
  if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
    if (a.size() < 4 || a[0]->kind != K::tensor) throw TorchSaveError("malformed tensor record");
    auto v = make(K::tensor);
    v->tensor = a[0]->tensor.as_strided(int_tuple(a[2]), int_tuple(a[3]), a[1]->integer);
    return v;
  }
  if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
    if (a.empty() || a[0]->kind != K::tensor) throw TorchSaveError("malformed parameter record");
    return a[0];
  }
  if (name == "collections.OrderedDict" || name == "builtins.dict") {
    auto dict = make(K::dict);
    if (!a.empty() && a[0]->kind == K::list) {  // OrderedDict([(key, value), ...])
      for (const auto& pair : a[0]->items) {
        if (pair->items.size() == 2) dict->entries.emplace_back(pair->items[0], pair->items[1]);
      }
    }
    return dict;
  }
  // TorchScript's pickler wraps typed containers (torch::pickle_save output): unwrap.
  if (name == "torch.jit._pickle.restore_type_tag" || name.rfind("torch.jit._pickle.build_", 0) == 0) {
    if (a.empty()) throw TorchSaveError("malformed " + name + " record");
    return a[0];
  }
  // Anything else (argparse.Namespace, torch.device, numpy scalars, ...) stays a generic object.
  auto object = make_text(K::object, name.empty() ? "<" + callable->kind_name() + ">" : name);
  object->items = a;
  return object;
}

PyRef PickleMachine::load_storage(const PyRef& persistent_id) {
  const auto& p = persistent_id->items;
  if (p.size() < 5 || p[0]->text != "storage") throw TorchSaveError("unsupported persistent id in pickle");
  const std::string key = p[2]->text;
  if (const auto found = storages_.find(key); found != storages_.end()) return found->second;
  const auto dtype = storage_dtype(p[1]->text);
  const auto numel = p[4]->integer;
  const std::string record = "data/" + key;
  if (!archive_.hasRecord(record)) throw TorchSaveError("archive lacks tensor record " + record);
  auto [bytes, size] = archive_.getRecord(record);
  auto storage = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
  if (size != static_cast<std::size_t>(storage.nbytes())) {
    throw TorchSaveError("tensor record " + record + " has " + std::to_string(size) + " bytes, expected " +
                         std::to_string(storage.nbytes()));
  }
  std::memcpy(storage.data_ptr(), bytes.get(), size);
  auto v = make(PyValue::Kind::tensor);
  v->tensor = storage;
  storages_[key] = v;
  return v;
}

}  // namespace

PyRef read_torch_save(const std::string& path) {
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw TorchSaveError("cannot open " + path);
  }
  if (!is_zip_file(path)) {
    throw TorchSaveError(
        path + " is in PyTorch's legacy (pre-1.6, non-zip) format, which medanon does not read. Convert it once with: "
               "python3 -c \"import torch; torch.save(torch.load('" + path +
        "', map_location='cpu', weights_only=False), 'converted.pth')\"");
  }
  try {
    caffe2::serialize::PyTorchStreamReader archive(path);
    if (!archive.hasRecord("data.pkl")) throw TorchSaveError("a zip file but not a torch.save archive (no data.pkl)");
    auto [bytes, size] = archive.getRecord("data.pkl");
    const std::string pickle(static_cast<const char*>(bytes.get()), size);
    return PickleMachine(pickle, archive).run();
  } catch (const c10::Error& e) {
    throw TorchSaveError("cannot read " + path + ": " + e.what_without_backtrace());
  } catch (const TorchSaveError& e) {
    throw TorchSaveError(path + ": " + e.what());
  }
}

}  // namespace medanon::mae
