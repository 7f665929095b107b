// Test data helpers: the RFC 4475 torture corpus and files in tests/data.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace sipactor::test {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The files of dir whose names end in suffix (and are longer than it), as dir/name, sorted; none
// when dir cannot be read.
inline std::vector<std::string> files_in(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        files.push_back(dir + "/" + name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::string torture_dir() { return SIPACTOR_TORTURE_DIR; }

inline std::string torture(const std::string& name) { return read_file(torture_dir() + "/" + name + ".dat"); }

}  // namespace sipactor::test
