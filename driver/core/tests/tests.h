/* Unit test groups of test_unit (test_main.c). */
#ifndef TESTS_H
#define TESTS_H

#include "../rp_name.h"
#include "../rp_registry.h"
#include "../rp_ring.h"
#include "seg.h"
#include "t.h"

void test_name(void);
void test_ring_basic(void);
void test_ring_byte(void);
void test_ring_slots(void);
void test_ring_corrupt(void);
void test_ring_order(void);
void test_registry(void);

#endif
