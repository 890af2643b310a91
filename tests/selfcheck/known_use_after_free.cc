// The ASan self-check: a read through a pointer after its object was
// deleted. If AddressSanitizer does not report this, no verdict of the asan
// suite is trusted (CTest fixture `sanitizer_trusted`).
int main() {
  int* value = new int(7);
  delete value;
  volatile int seen = *value;
  return seen == 7 ? 0 : 1;
}
