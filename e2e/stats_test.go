package e2e_test

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// mannWhitneyZ returns the normal approximation z of the Mann-Whitney U
// statistic of a against b, with the correction for ties: about N(0, 1)
// when both samples come from one distribution, large when one tends to
// be larger. A rank test: a slow tail in either sample cannot hide a shift
// of the bulk.
func mannWhitneyZ(a, b []float64) float64 {
	type obs struct {
		v     float64
		fromA bool
	}
	all := make([]obs, 0, len(a)+len(b))
	for _, v := range a {
		all = append(all, obs{v, true})
	}
	for _, v := range b {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	n1, n2 := float64(len(a)), float64(len(b))
	n := n1 + n2
	rankSumA, tieTerm := 0.0, 0.0
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // the mean of ranks i+1 … j
		for k := i; k < j; k++ {
			if all[k].fromA {
				rankSumA += rank
			}
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	u := rankSumA - n1*(n1+1)/2
	mean := n1 * n2 / 2
	variance := n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if variance <= 0 {
		return 0
	}
	return (u - mean) / math.Sqrt(variance)
}

// welchT returns Welch's t statistic of the means of a and b (unequal
// variances).
func welchT(a, b []float64) float64 {
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	se := math.Sqrt(va/float64(len(a)) + vb/float64(len(b)))
	if se == 0 {
		return 0
	}
	return (ma - mb) / se
}

func meanVar(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x)-1)
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// TestStatistics checks the two statistics on samples whose answer is
// known: one distribution gives small values, a shifted one large values,
// and a shift hidden in the bulk under a heavy tail is found by the rank
// test.
func TestStatistics(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sample := func(n int, shift float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 1 + shift + r.ExpFloat64()*0.2
		}
		return x
	}
	a, b := sample(2000, 0), sample(2000, 0)
	if z := mannWhitneyZ(a, b); math.Abs(z) > 4.5 {
		t.Errorf("same distribution: Mann-Whitney z = %.2f, want |z| < 4.5", z)
	}
	if tt := welchT(a, b); math.Abs(tt) > 4.5 {
		t.Errorf("same distribution: Welch t = %.2f, want |t| < 4.5", tt)
	}
	c := sample(2000, 0.05)
	if z := mannWhitneyZ(c, a); z < 6 {
		t.Errorf("shifted by a quarter of the spread: Mann-Whitney z = %.2f, want > 6", z)
	}
	if tt := welchT(c, a); tt < 6 {
		t.Errorf("shifted: Welch t = %.2f, want > 6", tt)
	}
	// A few huge outliers in a: Welch's t is swamped by them; the ranks are not.
	d := append([]float64(nil), c...)
	for i := 0; i < 20; i++ {
		a[i] += 500
	}
	if z := mannWhitneyZ(d, a); z < 5 {
		t.Errorf("shift under a heavy tail: Mann-Whitney z = %.2f, want > 5", z)
	}
	// Ties: all equal gives 0, not NaN.
	e := []float64{1, 1, 1, 1}
	if z := mannWhitneyZ(e, e); z != 0 {
		t.Errorf("all tied: z = %v, want 0", z)
	}
	// Symmetry.
	if z1, z2 := mannWhitneyZ(c, a), mannWhitneyZ(a, c); math.Abs(z1+z2) > 1e-9 {
		t.Errorf("z(c, a) = %v but z(a, c) = %v; want opposite", z1, z2)
	}
}
