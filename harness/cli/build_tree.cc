#include "harness/cli/build_tree.h"

namespace hazardlab {

std::filesystem::path source_tree() { return HAZARDLAB_SOURCE_DIR; }
std::filesystem::path build_tree() { return HAZARDLAB_BINARY_DIR; }

}  // namespace hazardlab
