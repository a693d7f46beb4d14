; Fragment shader: colour = texture(unit 0, sampler 0, perspective-correct varying 0) * varying 1.
.stage fragment
	ld.var.smooth r0, v0.x
	ld.var.smooth r1, v0.y
	tex.2d r4, t0, s0, r0
	ld.var.smooth r2, v1.x
	fmul r4, r4, r2
	ld.var.smooth r2, v1.y
	fmul r5, r5, r2
	ld.var.smooth r2, v1.z
	fmul r6, r6, r2
	ld.var.smooth r2, v1.w
	fmul r7, r7, r2
	st.out color0.x, r4
	st.out color0.y, r5
	st.out color0.z, r6
	st.out color0.w, r7
	end
