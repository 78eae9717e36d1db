package q

func Internal() {}
