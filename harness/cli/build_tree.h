#pragma once

#include <filesystem>

namespace hazardlab {

// Fixed at configure time: the source tree this build compiles (its
// exercises/ folder is the learner's) and this build's own folder (its
// siblings are the other presets' builds). Only build_tree.cc sees the two
// paths, so a copy of the tree configured elsewhere recompiles that one file
// and takes every other object of the command line from the compiler cache.
std::filesystem::path source_tree();
std::filesystem::path build_tree();

}  // namespace hazardlab
