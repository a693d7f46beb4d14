; Loop with a lane-dependent trip count: varying 0 = sum of 1..(vertex id mod 8), skipping multiples
; of 3 with continue, stopping early with break once the sum passes 20.
.stage vertex
	mov r0, sr.vertexid
	and r0, r0, 7
	mov r1, 0
	mov r2, 0
	loop
		iadd r1, r1, 1
		ult r3, r0, r1
		breakc r3
		umod r4, r1, 3
		ieq r4, r4, 0
		continuec r4
		iadd r2, r2, r1
		ult r5, 20, r2
		breakc r5
	endloop
	st.out var0.x, r2
	st.out pos.w, 1.0
	end
