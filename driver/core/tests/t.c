#include "t.h"

int t_checks;
int t_failures;

int t_report(const char *what)
{
	printf("%s: %d checks, %d failures\n", what, t_checks, t_failures);
	return t_failures == 0 && t_checks > 0 ? 0 : 1;
}
