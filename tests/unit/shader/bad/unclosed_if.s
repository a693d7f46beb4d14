; vgpu-as must refuse this file: the if is never closed.
.stage vertex
	if r0
	end
