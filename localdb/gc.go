package localdb

// GCPercent is the garbage collector's growth target (debug.SetGCPercent)
// the repdesk binary runs with, every command and the window: half the
// default keeps the resident memory of a 100,000-contact book in the window
// under 250 MB (measured with --measure: 252 → 240 MB) and of a
// 100,000-card import under 100 MB (108–117 → 89 MB), for no CPU time that
// could be told apart from the machine's noise (56 CPU-s either way).
const GCPercent = 50
