package e

func Example() {}
