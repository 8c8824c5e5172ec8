/* placeholder: being written */
#include "helpers.h"

int main(void)
{
	return 0;
}
