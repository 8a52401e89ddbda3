package encode

import ("os";"strconv")

func tmpEnv(k string, d int) int { v, err := strconv.Atoi(os.Getenv("DREAM_"+k)); if err != nil { return d }; return v }
