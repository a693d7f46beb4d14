; Divergent branch: lanes left of x = 8 are red, the others green; lanes with an odd lane id also get
; half blue. Every lane ends with the same instruction stream position; the mask decides who writes.
.stage fragment
	mov r0, sr.fragcoord.x
	flt r1, r0, 8.0
	if r1
		mov r2, 1.0
		mov r3, 0.0
	else
		mov r2, 0.0
		mov r3, 1.0
	endif
	mov r4, 0.0
	mov r5, sr.laneid
	and r5, r5, 1
	if r5
		mov r4, 0.5
	endif
	st.out color0.x, r2
	st.out color0.y, r3
	st.out color0.z, r4
	st.out color0.w, 1.0
	end
