package x

func Generated() {}
