// A stand-in for a vendored library: a helper that appends to a container
// its caller owns. It takes no lock; the caller must.
#pragma once

#include <vector>

namespace tally {

template <class T>
void add(std::vector<T>& entries, const T& entry) {
  entries.push_back(entry);
}

}  // namespace tally
