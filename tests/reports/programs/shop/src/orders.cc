// A small program that is not a hazardlab case: the kind of code whose CI log
// an engineer pipes into `hazardlab classify`. Recorded by
// tests/reports/programs/record.sh; each mode is one bug.
//   race:            two threads append to one std::vector without a lock (the
//                    report's first frames are in libstdc++'s headers)
//   use_after_free:  a reference to an element kept across a push_back that
//                    reallocated the vector
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "tally/tally.h"

namespace shop {

int record_orders_from_two_threads() {
  std::vector<int> orders;
  orders.reserve(1);  // too small: both threads reallocate
  std::thread first([&] { for (int i = 0; i < 100; ++i) tally::add(orders, i); });
  std::thread second([&] { for (int i = 0; i < 100; ++i) tally::add(orders, -i); });
  first.join();
  second.join();
  return static_cast<int>(orders.size());
}

int first_order_after_growth() {
  std::vector<int> orders = {7};
  const int& first = orders.front();
  for (int i = 0; i < 16; ++i) orders.push_back(i);  // reallocates: `first` dangles
  return first;
}

}  // namespace shop

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (std::strcmp(mode, "race") == 0) return shop::record_orders_from_two_threads() == 200 ? 0 : 3;
  if (std::strcmp(mode, "use_after_free") == 0) return shop::first_order_after_growth();
  std::fprintf(stderr, "usage: orders race|use_after_free\n");
  return 2;
}
