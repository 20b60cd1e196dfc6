package admit

// PasswordJudge judges the strength of a new password with an estimator
// built on what real people choose (package password implements it with
// zxcvbn's model). The service asks its PasswordHasher for it, so that
// every new password (set-up, invitation, change) is judged the same way.
type PasswordJudge interface {
	// Weakness returns "" for a strong enough password, else a sentence
	// for the user saying why it is weak; userInputs are words the
	// password must not lean on (the user's email address and name).
	Weakness(password string, userInputs ...string) string
}
