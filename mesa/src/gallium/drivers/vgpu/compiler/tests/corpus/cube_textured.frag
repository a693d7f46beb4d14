precision mediump float;
uniform sampler2D image;
varying vec2 uv;
varying float light;
void main()
{
    gl_FragColor = vec4(texture2D(image, uv).rgb * light, 1.0);
}
