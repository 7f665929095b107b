// Test data helpers: the RFC 4475 torture corpus and files in tests/data.
#pragma once

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace sipactor::test {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string torture_dir() { return SIPACTOR_TORTURE_DIR; }

inline std::string torture(const std::string& name) { return read_file(torture_dir() + "/" + name + ".dat"); }

}  // namespace sipactor::test
