package admit

import ()

// Host decisions on participants.
const (
	DecisionAdmit  = "admit"
	DecisionDeny   = "deny"
	DecisionRemove = "remove"
)
