#include "tests.h"

int main(void)
{
	test_name();
	test_ring_basic();
	test_ring_byte();
	test_ring_slots();
	test_ring_corrupt();
	test_ring_order();
	test_registry();
	return t_report("test_unit");
}
