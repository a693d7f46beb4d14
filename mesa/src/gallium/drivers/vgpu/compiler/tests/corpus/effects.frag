#extension GL_OES_standard_derivatives : enable
precision highp float;
uniform sampler2D image;
uniform vec4 fog_color;
uniform float threshold;
varying vec2 uv;
varying float fog;
void main()
{
    vec4 c = texture2D(image, uv);
    if (c.a < threshold)
        discard;
    float edge = smoothstep(0.0, 1.0, fwidth(uv.x) * 64.0);
    vec3 blur = vec3(0.0);
    for (int i = 0; i < 4; i++)
        blur += texture2D(image, uv + vec2(float(i) * dFdx(uv.x), 0.0)).rgb * 0.25;
    gl_FragColor = vec4(mix(fog_color.rgb, mix(c.rgb, blur, edge), fog), c.a);
}
