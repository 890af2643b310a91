#include "harness/mutation.h"

#include <cstdlib>
#include <cstring>

namespace hazardlab {

bool essential(const char* what) {
  // Read once: the environment does not change during a trial, and a switch
  // in a hot loop must cost no more than a compare.
  static const char* const removed = std::getenv(kMutationVariable);
  return removed == nullptr || std::strcmp(removed, what) != 0;
}

}  // namespace hazardlab
